"""What the toolkit, the supervisor and the action process say to one another, written once.

Both ends import this file: the toolkit as hs_actions.harness.inside.protocol (Python 3.11),
the runtime as part of the package loaded by path (Python 3.9). Each end checks what it is
sent against the schemas here, so a message of the wrong shape fails the run it belongs to,
never the process that reads it. Messages travel as channel.py frames.

toolkit -> supervisor (each answered in order, after the supervisor's first message, "ready")
    {"op": PRELOAD, "modules", "distributions", "into": INTO_SUPERVISOR | INTO_ACTION, "within"}
                                    -> {"ok": bool}
    {"op": FORK}                    -> {"forked": pid}, the pid also as the message's credentials
    {"op": RUN, "timeout", "keep", "processes"} + the run's log, request and answer pipes
                                    -> {"outcome": {...}, "leftover": [[pid, command], ...]}
    {"op": END, "keep"}             -> {"ended": {"exit", "children_peak_kb"}}
supervisor -> action process
    {"op": PRELOAD, ...}            -> {"ok": True}
    {"op": RUN, "processes"} + the log, request and answer pipes
                                    -> {ANSWER: True}, once its answer is in the answer pipe
action process -> toolkit, through the answer pipe (one frame)
    {RETURNED: value} or {RAISED: {...}}, "imported", "refused", "threads"
The run's request (event, secrets in its env, network) is written by the toolkit to a pipe that
only the action process reads, and its answer (outputs that may hold secrets) to a pipe only the
toolkit reads: the supervisor, which every later run forks from, passes both on unread, and
never holds a run's secrets in its memory.
egress channel (the tunnel to the toolkit's gateway, one line each way, then the bytes)
    egress_request(host, port)      -> EGRESS_OK or egress_error(errno, text)
"""

# Operations: a request's "op".
PRELOAD = "preload"
FORK = "fork"
RUN = "run"
END = "end"
# The keys of the supervisor's answers: READY first, unasked; then one answer per request, in
# order (OK, FORKED, ENDED; a run's holds its OUTCOME and the LEFTOVER processes still running).
READY = "ready"
OK = "ok"
FORKED = "forked"
ENDED = "ended"
OUTCOME = "outcome"
LEFTOVER = "leftover"
# Where a preload imports: in the supervisor before its next fork, or in the action process
# forked last, before its run.
INTO_SUPERVISOR = "supervisor"
INTO_ACTION = "action"

# How a run ended, as the supervisor reports it: ANSWER when the action process has written
# its answer to the toolkit...
ANSWER = "answer"
DIED = "died"
TIMEOUT = "timeout"
MALFORMED = "malformed"
SUPERVISOR_ENDINGS = (ANSWER, DIED, TIMEOUT, MALFORMED)
# ...and main's own ending, as the answer says.
RETURNED = "returned"
RAISED = "raised"
ANSWERED = (RETURNED, RAISED)
ENDINGS = (*ANSWERED, DIED, TIMEOUT, MALFORMED)
# ...and the toolkit's own verdict from the memory it measured, never sent.
MEMORY = "memory"

# The isolation a supervisor got.
SANDBOXED = "namespaces"
UNSANDBOXED = "none"

# The guard's refusal, the same words whether the guard or the egress channel refuses, and in
# the report however the action wrapped the error.
REFUSAL = ("hs-actions: this run may not connect to {host}. A local run reaches HubSpot's API "
           "(api.hubapi.com) through the local portal; other hosts need an explicit allow (--allow-host {host}).")
EGRESS_OK = b"OK\n"

# ---- checks: each says whether a value has a shape ---------------------------------------

MISSING = object()     # what a check is given for a key the message does not hold


def text(value):
    return isinstance(value, str)


def integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def number(value):
    return isinstance(value, (int, float))


def boolean(value):
    return isinstance(value, bool)


def mapping(value):
    return isinstance(value, dict)


def sequence(value):
    return isinstance(value, list)


def optional(check):
    """`check`, or None, or not there at all."""
    return lambda value: value is None or value is MISSING or check(value)


def list_of(check):
    return lambda value: isinstance(value, list) and all(check(item) for item in value)


def one_of(*values):
    return lambda value: value in values


def first_problem(message, schema):
    """The problem of the first (key, check, problem) of `schema` whose check fails on
    `message`, its {key} filled in; None when every check passes."""
    for key, check, problem in schema:
        if not check(message.get(key, MISSING)):
            return problem.format(key=key)
    return None


# ---- the action process's answer to a run (checked by the toolkit) -----------------------

EXCEPTION = tuple((key, check, "an exception whose {key} is missing or of the wrong type") for key, check in (
    ("type", text), ("module", text), ("message", text), ("traceback", optional(text)),
    ("http_status", optional(integer)), ("memory", boolean), ("refused", optional(text))))
ACTION_ANSWER = (
    ("imported", list_of(text), "an answer without the list of modules imported"),
    ("refused", list_of(text), "an answer without the list of hosts refused"),
    ("threads", integer, "an answer without the count of threads left running"),
    (RAISED, optional(mapping), "an exception that is not described"),
)


def action_answer_problem(reply):
    """What is wrong with an action process's answer, or None when it is one of ours."""
    if sum(kind in reply for kind in ANSWERED) != 1:
        return "an answer with neither a return value nor an exception"
    problem = first_problem(reply, ACTION_ANSWER)
    if problem is None and reply.get(RAISED) is not None:
        problem = first_problem(reply[RAISED], EXCEPTION)
    return problem


# ---- the supervisor's messages (checked by the toolkit) ----------------------------------

NOT_READY = "its first message was not the one expected"
READY_FIELDS = (("sandbox", one_of(SANDBOXED, UNSANDBOXED), NOT_READY), ("channels", sequence, NOT_READY))
# The supervisor's answers other than a run's, and what each must carry.
ANSWERS = {OK: boolean, FORKED: lambda value: integer(value) and value > 0, ENDED: mapping}
OUTCOME_FIELDS = (
    ("duration_ms", number, "it reported no duration"),
    ("memory_kb", optional(lambda kb: mapping(kb) and integer(kb.get("peak")) and integer(kb.get("file"))),
     "it reported memory in a shape not its own"),
)


def left_process(item):
    """[pid, command]: a process a run left running."""
    return sequence(item) and len(item) == 2 and integer(item[0]) and text(item[1])


def ready_problem(message, fds):
    """What is wrong with the supervisor's first message, received with `fds`: the isolation it
    got, and one descriptor per channel (two in a sandbox)."""
    ready = message.get(READY)
    if not mapping(ready):
        return NOT_READY
    problem = first_problem(ready, READY_FIELDS)
    if problem is None and (len(fds) != len(ready["channels"]) or (ready["sandbox"] == SANDBOXED and len(fds) != 2)):
        problem = NOT_READY
    return problem


def answer_problem(message, expected):
    """What is wrong with `message` as the supervisor's answer named `expected`."""
    if not ANSWERS[expected](message.get(expected)):
        return "it answered {} where {} was due".format(sorted(message)[:3], expected)
    return None


def outcome_problem(message):
    """What is wrong with the supervisor's answer to a run, or None when it is one."""
    found, leftover = message.get(OUTCOME), message.get(LEFTOVER)
    if not mapping(found) or not sequence(leftover):
        return "its answer to the run was not an outcome"
    kind = found.get("kind")
    if kind not in SUPERVISOR_ENDINGS:
        return "it reported a run that ended as {!r}".format(kind)
    problem = first_problem(found, OUTCOME_FIELDS)
    if problem is None and not all(left_process(item) for item in leftover):
        problem = "it listed left processes in a shape not its own"
    return problem


# ---- the egress channel ------------------------------------------------------------------


def egress_request(host, port):
    """The line that asks the gateway to connect to (host, port)."""
    return "{} {}\n".format(host, port).encode()


def egress_error(code, reason):
    """The gateway's line when it did not connect: the errno the action's connect() raises."""
    return "ERR {} {}\n".format(code, reason).encode()


def egress_refused(answer):
    """None when the gateway's `answer` line lets the connection through, else the (errno,
    text) of the OSError the action's connect() raises."""
    if answer.startswith(EGRESS_OK.strip()):
        return None
    code, _, reason = answer[4:].decode("utf-8", "replace").strip().partition(" ")
    return int(code) if code.isdigit() else 111, reason or "the egress channel closed"
