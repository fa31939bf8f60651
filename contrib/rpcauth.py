#!/usr/bin/env python3
"""Makes an -rpcauth line for odad's config file, so that the RPC password itself is not stored there.

    contrib/rpcauth.py USER [PASSWORD]

Without PASSWORD a random one (32 bytes, URL-safe base64) is generated and printed. The line is
rpcauth=USER:SALT$HASH with a random 16-byte hex SALT and HASH = hex HMAC-SHA256(key=SALT,
message=PASSWORD); odad recomputes the HMAC for each request that names USER. Clients use USER and
PASSWORD as with -rpcuser/-rpcpassword (oda-cli -rpcuser=USER -rpcpassword=PASSWORD).
"""
import argparse
import hashlib
import hmac
import secrets


def rpcauth_line(user, password, salt=None):
    salt = salt if salt is not None else secrets.token_hex(16)
    digest = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
    return f"rpcauth={user}:{salt}${digest}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("user", help="the user name")
    parser.add_argument("password", nargs="?", help="the password (default: a random one, printed)")
    args = parser.parse_args()
    if ":" in args.user:
        parser.error("the user name may not contain ':'")
    password = args.password if args.password is not None else secrets.token_urlsafe(32)
    print("Add this line to oda.conf (or pass it as -rpcauth=...):")
    print(rpcauth_line(args.user, password))
    if args.password is None:
        print(f"Password for {args.user}: {password}")


if __name__ == "__main__":
    main()
