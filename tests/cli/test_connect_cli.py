"""`revops connect`, `revops sync` and `revops sync status` through the CLI, against the
fake Stripe API: the key never lands in the workspace, and every failure is one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from revops.workspace import Workspace

from fake_stripe import KEY, FakeStripe
from support import run_cli


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "ws"
    Workspace.create(root).close()
    monkeypatch.setenv("STRIPE_API_KEY", KEY)
    with FakeStripe(customers=3).serving() as url:
        yield root, url


def test_connect_sync_and_status(
    served: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, url = served
    code, _, err = run_cli(capsys, "-w", str(root), "connect", "stripe", "--base-url", url)
    assert code == 0, err
    assert "Connected stripe (key from STRIPE_API_KEY)" in err
    stored = (root / "connections.yaml").read_text()
    assert "key_env: STRIPE_API_KEY" in stored
    assert KEY not in stored
    assert KEY not in (root / "revops.yaml").read_text()

    code, out, err = run_cli(capsys, "-w", str(root), "sync", "--format", "json")
    assert code == 0, err
    assert '"object": "stripe/customer"' in out
    assert "stripe: full sync, " in err
    assert "records/s" in err

    code, out, err = run_cli(capsys, "-w", str(root), "sync", "stripe")
    assert code == 0, err
    assert "stripe: incremental sync, 0 records in 0 pages" in err

    code, out, _ = run_cli(capsys, "-w", str(root), "sync", "status", "--format", "csv")
    assert code == 0
    header, row = out.strip().splitlines()
    assert header == "source,cursor,last_run_at,status,rows,seconds,deletions,error"
    assert row.startswith("stripe,evt_")
    assert ",ok,0," in row


def test_a_refused_key_is_one_red_line_and_nothing_is_stored(
    served: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, url = served
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_wrong")
    code, _, err = run_cli(capsys, "-w", str(root), "connect", "stripe", "--base-url", url)
    assert code == 1
    assert err.strip() == (
        "error: stripe customers: the API key was refused (401): check the key from "
        "STRIPE_API_KEY (Invalid API Key provided: sk_test_wron***)"
    )
    assert not (root / "connections.yaml").exists()


def test_a_sync_of_a_source_never_connected_says_how_to_connect(
    served: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = served
    code, _, err = run_cli(capsys, "-w", str(root), "sync", "stripe")
    assert code == 1
    assert err.strip() == "error: stripe: not connected: run `revops connect stripe` first"


def test_a_secrets_file_inside_the_workspace_is_refused(
    served: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, url = served
    secrets = root / "secrets.yaml"
    secrets.write_text(f"stripe: {{api_key: {KEY}}}\n")
    code, _, err = run_cli(
        capsys,
        "-w",
        str(root),
        "connect",
        "stripe",
        "--base-url",
        url,
        "--secrets-file",
        str(secrets),
    )
    assert code == 1
    assert "is inside the workspace; keep it outside" in err


def test_a_secrets_file_outside_the_workspace_holds_the_key(
    served: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, url = served
    monkeypatch.delenv("STRIPE_API_KEY")
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"stripe:\n  api_key: {KEY}\n")
    code, _, err = run_cli(
        capsys,
        "-w",
        str(root),
        "connect",
        "stripe",
        "--base-url",
        url,
        "--secrets-file",
        str(secrets),
    )
    assert code == 0, err
    code, _, err = run_cli(capsys, "-w", str(root), "sync", "stripe")
    assert code == 0, err
    assert KEY not in (root / "connections.yaml").read_text()


def test_an_unknown_source_is_one_line(
    served: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = served
    code, _, err = run_cli(capsys, "-w", str(root), "connect", "pipedrive")
    assert code == 1
    assert err.strip() == (
        "error: pipedrive: no connector for this source "
        "(revops connects hubspot, salesforce, stripe, zendesk)"
    )


def test_a_scheduler_job_of_kind_sync_syncs_the_source(
    served: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, url = served
    code, _, err = run_cli(capsys, "-w", str(root), "connect", "stripe", "--base-url", url)
    assert code == 0, err
    with (root / "revops.yaml").open("a") as config:
        config.write(
            '\nautomate:\n  jobs:\n    - {name: billing, kind: sync, cron: "*/15 * * * *"}\n'
        )
    code, out, err = run_cli(capsys, "-w", str(root), "scheduler", "run", "--once", "-f", "json")
    assert code == 0, err
    assert '"status": "ok"' in out
    code, out, _ = run_cli(capsys, "-w", str(root), "sync", "status", "-f", "csv")
    assert out.strip().splitlines()[1].startswith("stripe,evt_")


def test_zendesk_connects_with_its_user_and_syncs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import fake_zendesk

    root = tmp_path / "ws"
    Workspace.create(root).close()
    monkeypatch.setenv("ZENDESK_API_TOKEN", fake_zendesk.TOKEN)
    with fake_zendesk.FakeZendesk(customers=2).serving() as url:
        code, _, err = run_cli(capsys, "-w", str(root), "connect", "zendesk", "--base-url", url)
        assert code == 1
        assert (
            err.strip() == "error: zendesk: no user: connect with --user <the token's agent e-mail>"
        )
        args = (
            "-w",
            str(root),
            "connect",
            "zendesk",
            "--base-url",
            url,
            "--user",
            fake_zendesk.EMAIL,
        )
        code, _, err = run_cli(capsys, *args)
        assert code == 0, err
        code, _, err = run_cli(capsys, "-w", str(root), "sync", "zendesk")
        assert code == 0, err
    assert "zendesk: full sync, 10 records in 4 pages, 10 rows new or changed" in err
    code, out, _ = run_cli(capsys, "-w", str(root), "sync", "status", "-f", "csv")
    assert out.strip().splitlines()[1].startswith("zendesk,")


def test_a_source_that_fails_does_not_stop_the_others(
    served: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import fake_zendesk

    root, url = served
    monkeypatch.setenv("ZENDESK_API_TOKEN", fake_zendesk.TOKEN)
    code, _, err = run_cli(capsys, "-w", str(root), "connect", "stripe", "--base-url", url)
    assert code == 0, err
    with fake_zendesk.FakeZendesk(customers=1).serving() as zendesk_url:
        args = ("connect", "zendesk", "--base-url", zendesk_url, "--user", fake_zendesk.EMAIL)
        code, _, err = run_cli(capsys, "-w", str(root), *args)
        assert code == 0, err
        monkeypatch.setenv("STRIPE_API_KEY", "sk_test_wrong")
        code, _, err = run_cli(capsys, "-w", str(root), "sync")
    assert code == 1
    assert "error: stripe events: the API key was refused (401)" in err
    assert "zendesk: full sync, 5 records in 4 pages" in err


def test_hubspot_connects_with_its_access_token_and_syncs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import fake_hubspot
    from connectors import HUBSPOT

    root = tmp_path / "ws"
    HUBSPOT.workspace(root).close()
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-wrong")
    with fake_hubspot.FakeHubSpot(customers=2, owners=1).serving() as url:
        code, _, err = run_cli(capsys, "-w", str(root), "connect", "hubspot", "--base-url", url)
        assert code == 1
        assert err.startswith(
            "error: hubspot owners: the access token was refused (401): check the token from "
            "HUBSPOT_ACCESS_TOKEN (Authentication credentials not found."
        )
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", fake_hubspot.TOKEN)
        code, _, err = run_cli(capsys, "-w", str(root), "connect", "hubspot", "--base-url", url)
        assert code == 0, err
        assert "HUBSPOT_ACCESS_TOKEN" in (root / "connections.yaml").read_text()
        code, _, err = run_cli(capsys, "-w", str(root), "sync", "hubspot")
        assert code == 0, err
    # 7 records, and the newest of each object read again by the search after the pass
    assert "hubspot: full sync, 10 records in " in err
    assert "0 quarantined, 0 delete(s) recorded" in err
    code, out, _ = run_cli(capsys, "-w", str(root), "sync", "status", "-f", "csv")
    assert out.strip().splitlines()[1].startswith("hubspot,since=")
