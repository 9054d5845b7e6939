"""Delivery: letters leave brevgen as Digital Post messages (MeMo), through a transport.

    identity.py   person id (case system) -> CPR number, only for the message itself
    channels.py   each recipient's real channel: the platform's look-up or a file of exempt people
    memo.py       the MeMo message for one letter, built with python-serviceplatformen's model
    outgoing.py   the letters brevgen has written (records, manifests) -> messages to send
    transports.py outbox folder (default) and SF1601 (KombiPostAfsend)
    sending.py    the send ledger's steps: queue -> claim -> transport -> sent/failed
    remote_print.py  checks each page of a paper letter against the remote-print layout

Nothing here decides law; the deadline follows from the channel resolved before the letter is
dated (documents/ asks channels.py). docs/delivery.md is the operator's guide.
"""
