"""Identity resolution: the same person or company across systems and duplicates within one."""
