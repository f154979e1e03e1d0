"""Local fake servers for the outside services the notification channels talk to. Each
checks what it receives as the real service does (format, signature) and records what it
accepted; each module offers a pytest fixture of the same name (registered in
tests/conftest.py)."""
