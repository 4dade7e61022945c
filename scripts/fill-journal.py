"""Publishes N referrals and three moves of each (received, accepted, in-progress) to an
insecure Tansiq hub, as a pyzmq client written from docs/PROTOCOL.md would, and waits until
the hub has forwarded the last one: a journal of 4 N messages (8 N on a 1.1 hub, which adds
its view of each change), to measure a hub's start-up against. Usage:

    tansiq hub --insecure --journal big.sqlite --durability normal --rate-limit 0 &
    python3 scripts/fill-journal.py tcp://127.0.0.1:5560 tcp://127.0.0.1:5561 250000
"""
import json, sys, time, uuid
from datetime import datetime, timedelta, timezone
import zmq

ingress, egress, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
REFERRERS = [f"referrer-{i}" for i in range(16)]
RECEIVERS = [f"provider-{i}" for i in range(16)]

def rfc3339(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

ctx = zmq.Context()
pub = ctx.socket(zmq.XPUB)
pub.setsockopt(zmq.SNDHWM, 0)
pub.setsockopt(zmq.XPUB_NODROP, 1)
pub.connect(ingress)
pub.recv()  # the hub's subscription
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.RCVHWM, 0)
done_topic = "presence/filler/done"
sub.setsockopt(zmq.SUBSCRIBE, done_topic.encode())
sub.connect(egress)
time.sleep(0.5)

now = datetime.now(timezone.utc)
t = rfc3339(now)
ack, decide, follow = rfc3339(now + timedelta(days=2)), rfc3339(now + timedelta(days=5)), rfc3339(now + timedelta(days=30))

def send(topic, kind, source, body, correlation):
    header = {"specversion": "1.1", "id": str(uuid.uuid4()), "type": kind, "source": source,
              "agent": source + "-1", "time": t, "correlationid": correlation}
    pub.send_multipart([topic.encode(), json.dumps(header).encode(), json.dumps(body).encode()])

started = time.time()
for n in range(count):
    rid = str(uuid.uuid4())
    referrer, receiver = REFERRERS[n % 16], RECEIVERS[(n // 16) % 16]
    body = {"referralId": rid, "caseReference": f"C{n:08d}", "referringAgency": referrer,
            "referringWorker": "caseworker-1", "receivingAgency": receiver, "category": "health",
            "priority": "routine", "reasonCodes": ["medical-consultation"],
            "consent": {"status": "given", "scope": ["share-with-receiver"], "recordedBy": "caseworker-1", "recordedAt": t},
            "acknowledgeBy": ack, "decideBy": decide, "followUpOn": follow}
    send(f"referral/to/{receiver}/health", "referral", referrer, body, rid)
    for previous, state in (("requested", "received"), ("received", "accepted"), ("accepted", "in-progress")):
        send(f"status/{referrer}/{receiver}/health", "referral.status", receiver,
             {"referralId": rid, "state": state, "previousState": previous, "changedBy": receiver, "changedAt": t}, rid)
presence = {"agency": "filler", "agent": "done", "role": "cli", "version": "fill", "uptimeSeconds": 0, "heartbeatInterval": 60}
header = {"specversion": "1.1", "id": str(uuid.uuid4()), "type": "presence", "source": "filler", "agent": "done", "time": t}
pub.send_multipart([done_topic.encode(), json.dumps(header).encode(), json.dumps(presence).encode()])
sub.recv_multipart()
print(f"{count * 4} messages published and stored in {time.time() - started:.1f} s")
