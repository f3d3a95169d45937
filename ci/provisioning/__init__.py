"""ci/provision: makes the stack environments defined in peers/environments/*.toml.

One module per job: definitions (the TOML files), mirrors (the host's apt sources), commands
(child processes and the per-environment log), mounts, root (mmdebstrap and the root's apt
and dpkg settings), packages, source (a source build), peers (the peers-only CMake build),
catalog (probing the peers, the catalog JSON), job (one environment's stages) and cli (the
command line, the lock, running environments in parallel, the report).
"""
