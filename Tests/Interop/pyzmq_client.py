#!/usr/bin/env python3
"""A Tansiq client written from docs/PROTOCOL.md alone, with pyzmq and the json module.

Usage: pyzmq_client.py INGRESS EGRESS [--publish PUBLISH] [SECRET_CERTIFICATE HUB_CERTIFICATE]

With the two certificate files (`tansiq keys generate`, read with zmq.auth), it talks CURVE to a
secure hub as the agency py-referrer.

It subscribes on the hub's egress, publishes on its ingress, and checks that
  1. a valid referral comes back unchanged in its first three frames, with a stamp frame (on a
     secure hub, where only its receiver may read it, the hub's de-identified view of it comes
     back instead, protocol 1.1);
  2. a referral without consent is refused and answered on hub/rejected/<agency>;
and, given the hub's confirmed publish endpoint (protocol 1.1), that
  3. a referral sent on a DEALER is acknowledged accepted with its seq, the same message sent
     again is acknowledged with the same seq as a duplicate, and a referral without consent is
     acknowledged refused, not retryable.
Prints "ok" and exits 0 when all hold; exits 1 with the reason otherwise.
"""
import json
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import zmq
import zmq.auth

AGENCY = "py-referrer"
RECEIVER = "py-receiver"


def rfc3339(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def frames(topic, kind, body, correlation=None):
    header = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "type": kind,
        "source": AGENCY,
        "agent": AGENCY + "-1",
        "time": rfc3339(datetime.now(timezone.utc)),
    }
    if correlation:
        header["correlationid"] = correlation
    return [topic.encode(), json.dumps(header).encode(), json.dumps(body).encode()]


def referral(with_consent=True):
    now = datetime.now(timezone.utc)
    body = {
        "referralId": str(uuid.uuid4()),
        "caseReference": "PY-0001",
        "referringAgency": AGENCY,
        "referringWorker": "caseworker-1",
        "receivingAgency": RECEIVER,
        "category": "health",
        "priority": "urgent",
        "reasonCodes": ["medical-consultation"],
        "acknowledgeBy": rfc3339(now + timedelta(hours=4)),
        "decideBy": rfc3339(now + timedelta(hours=24)),
        "followUpOn": rfc3339(now + timedelta(days=30)),
    }
    if with_consent:
        body["consent"] = {
            "status": "given",
            "scope": ["share-with-receiver"],
            "recordedBy": "caseworker-1",
            "recordedAt": rfc3339(now),
        }
    return body


def fail(reason):
    print("FAIL: " + reason)
    sys.exit(1)


def confirmed(context, endpoint, keys):
    """Confirmed publishing: a DEALER sends the three frames; the hub answers one JSON frame."""
    dealer = context.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    if keys:
        dealer.curve_secretkey, dealer.curve_publickey, dealer.curve_serverkey = keys
    dealer.connect(endpoint)

    def send(message):
        dealer.send_multipart(message)
        if not dealer.poll(10000):
            fail("no acknowledgement from the publish endpoint within 10 s")
        ack = json.loads(dealer.recv())
        if ack.get("type") != "hub.publish-ack":
            fail(f"not an acknowledgement: {ack}")
        return ack

    valid = referral()
    message = frames(f"referral/to/{RECEIVER}/health", "referral", valid, valid["referralId"])
    message_id = json.loads(message[1])["id"]
    first = send(message)
    if first["result"] != "accepted" or first["messageId"] != message_id or not isinstance(first.get("seq"), int):
        fail(f"expected an acceptance with a seq: {first}")
    if "maxMessageBytes" not in first.get("limits", {}):
        fail(f"the acknowledgement announces no limits: {first}")
    again = send(message)
    if again["result"] != "accepted" or again.get("duplicate") is not True or again["seq"] != first["seq"]:
        fail(f"a re-sent message must be acknowledged with its original seq: {again}")
    invalid = referral(with_consent=False)
    refused = send(frames(f"referral/to/{RECEIVER}/health", "referral", invalid, invalid["referralId"]))
    if refused["result"] != "refused" or refused.get("retryable") is not False or not refused.get("reason"):
        fail(f"a referral without consent must be refused for good: {refused}")
    dealer.close()


def main():
    arguments = sys.argv[1:]
    publish = None
    if "--publish" in arguments:
        index = arguments.index("--publish")
        publish = arguments[index + 1]
        del arguments[index:index + 2]
    ingress, egress = arguments[0], arguments[1]
    keys = None
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    pub = context.socket(zmq.XPUB)
    pub.setsockopt(zmq.LINGER, 1000)
    if len(arguments) >= 4:
        public, secret = zmq.auth.load_certificate(arguments[2])
        hub_public, _ = zmq.auth.load_certificate(arguments[3])
        keys = (secret, public, hub_public)
        for sock in (sub, pub):
            sock.curve_secretkey, sock.curve_publickey, sock.curve_serverkey = secret, public, hub_public
    secure = len(arguments) >= 4
    probe_topic = f"presence/{AGENCY}/{AGENCY}-1"
    echo = f"hub/view/health/{AGENCY}" if secure else f"referral/to/{RECEIVER}/"
    for prefix in (echo, f"hub/rejected/{AGENCY}", probe_topic):
        sub.setsockopt(zmq.SUBSCRIBE, prefix.encode())
    sub.connect(egress)
    # An XPUB rather than a PUB: the hub's subscription arriving says the connection is up.
    pub.connect(ingress)
    if not pub.poll(10000):
        fail("the hub never subscribed to the publisher")
    pub.recv()

    # Presence probes until one comes back: then our subscriptions are live at the hub.
    presence = {"agency": AGENCY, "agent": AGENCY + "-1", "role": "cli", "version": "py",
                "uptimeSeconds": 0, "heartbeatInterval": 10}
    for _ in range(100):
        pub.send_multipart(frames(probe_topic, "presence", presence))
        if sub.poll(100):
            message = sub.recv_multipart()
            if message[0].decode() == probe_topic:
                break
    else:
        fail("no probe came back through the hub")

    valid = referral()
    sent = frames(f"referral/to/{RECEIVER}/health", "referral", valid, valid["referralId"])
    pub.send_multipart(sent)
    invalid = referral(with_consent=False)
    refused = frames(f"referral/to/{RECEIVER}/health", "referral", invalid, invalid["referralId"])
    pub.send_multipart(refused)
    refused_id = json.loads(refused[1])["id"]

    seen_valid = seen_rejection = False
    deadline = time.monotonic() + 10
    while not (seen_valid and seen_rejection) and time.monotonic() < deadline:
        if not sub.poll(200):
            continue
        message = sub.recv_multipart()
        topic = message[0].decode()
        if topic == probe_topic:
            continue
        if len(message) != 4:
            fail(f"expected 4 frames from the hub, got {len(message)}")
        stamp = json.loads(message[3])
        if not isinstance(stamp.get("seq"), int) or stamp["seq"] < 1 or not isinstance(stamp.get("topicSeq"), int):
            fail(f"bad stamp {stamp}")
        if topic.startswith("referral/to/"):
            if message[:3] != sent:
                fail("the forwarded referral differs from what was sent")
            seen_valid = True
        elif topic.startswith("hub/view/"):
            header, body = json.loads(message[1]), json.loads(message[2])
            if header["type"] != "hub.referral.view" or "caseReference" in body:
                fail(f"unexpected view {body}")
            seen_valid = seen_valid or body.get("referralId") == valid["referralId"]
        elif topic == f"hub/rejected/{AGENCY}":
            header, body = json.loads(message[1]), json.loads(message[2])
            if header["type"] != "hub.rejection" or body.get("rejectedMessageId") != refused_id:
                fail(f"unexpected rejection {body}")
            if "consent" not in body.get("message", ""):
                fail(f"the rejection does not name the missing consent: {body}")
            seen_rejection = True
    if not seen_valid:
        fail("the valid referral never came back")
    if not seen_rejection:
        fail("the referral without consent was not answered on hub/rejected/" + AGENCY)
    if publish:
        confirmed(context, publish, keys)
    print("ok")


if __name__ == "__main__":
    main()
