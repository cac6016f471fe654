"""Many threads writing through one server lose nothing."""
import threading

from hubspot import HubSpot
from hubspot.crm.contacts import SimplePublicObjectInput, SimplePublicObjectInputForCreate

from shared.portal.testing import TOKEN, portal, portal_session  # noqa: F401 (fixtures)

THREADS, WRITES = 8, 250


def test_8_threads_x_250_writes_lose_nothing(portal):
    seed = portal.backend.create("contacts", {"email": "counter@example.com", "annualrevenue": "0"})
    errors, created = [], [[] for _ in range(THREADS)]

    def work(n):
        client = HubSpot(access_token=TOKEN, host=portal.server.url)
        try:
            for i in range(WRITES):
                if i % 2:
                    client.crm.contacts.basic_api.update(str(seed.id), SimplePublicObjectInput(
                        properties={"firstname": f"t{n}-{i}"}))
                else:
                    record = client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(
                        properties={"email": f"t{n}-{i}@example.com"}))
                    created[n].append(record.id)
        except Exception as error:  # reported below, with the thread that saw it
            errors.append((n, error))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [i for per_thread in created for i in per_thread]
    assert len(ids) == len(set(ids)) == THREADS * WRITES // 2
    assert portal.backend.counts() == {"contacts": THREADS * WRITES // 2 + 1}
    history = portal.backend.get("contacts", seed.id, history=["firstname"]).history["firstname"]
    assert len(history) == THREADS * WRITES // 2
    statuses = [r["status"] for r in portal.requests()]
    assert len(statuses) == THREADS * WRITES and set(statuses) == {200, 201}
