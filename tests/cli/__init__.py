"""The command line, command by command, through click's CliRunner (a subprocess only where a real process matters)."""
