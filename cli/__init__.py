"""The kgagent command line (installed as the package ``kgagent_cli``): thin, it parses options,
calls the library and prints."""
