"""The workstation's wallet, without Qt: the key pair kept in the OS keyring (or held
for the session where there is none), importing and exporting it, and the gate every
signature passes (what is signed is shown before it is signed, and recorded after).

No message in this package ever holds a secret key: errors say what is wrong with an
input, never what the input was.
"""
