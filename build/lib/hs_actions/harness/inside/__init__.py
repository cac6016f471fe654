"""The toolkit's only code that runs inside the runtime interpreter (HubSpot's Python 3.9).

Everything here runs where the action runs, so every module is Python 3.9 syntax and
standard library only (tests/test_inside_python39.py checks the syntax with vermin), and
modules import one another only relatively: inside the runtime the `hs_actions` package is
not importable, and this folder is loaded by path as the package `_hs_actions_inside` (see
harness/zygote.py's BOOT). On the toolkit's side the same files are
`hs_actions.harness.inside`: the runner imports protocol and channel from here, so both ends
of the conversation read one definition.

    boot.py         `zygote FD CONFIG`: the sandbox where the kernel allows it, else none
    supervisor.py   pid 1 of the sandbox: forks an action process per run, judges its answer
    worker.py       the action process: one action, one or more runs
    loader.py       loading the action's file and main, the shared.helpers finder, preloading
    network.py      the network guard, the sandbox's egress tunnel
    routing.py      HubSpot's API calls sent to the local portal
    namespaces.py   the system calls that build the sandbox
    channel.py      length-prefixed JSON messages with descriptors attached
    protocol.py     the operations, outcome kinds and message schemas of both sides

All of it is loaded by the runtime process before it enters its sandbox, where this folder
is not shown: nothing here may import a module of its own lazily on the action's side.
This file is kept to its docstring: it is imported at every start.
"""
