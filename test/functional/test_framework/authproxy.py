"""A small JSON-RPC 1.0 client over http.client with HTTP Basic authentication.

    proxy = AuthServiceProxy("http://user:pass@127.0.0.1:19443", timeout=30)
    proxy.getblockcount()            # positional params
    proxy.getblock(blockhash=h)      # named params (sent as a JSON object)

Amounts come back as Decimal (json parse_float=Decimal). A JSON-RPC error raises
JSONRPCException whose .error is the server's {"code", "message"} dict; an HTTP error without a
JSON body (401, 403, ...) raises JSONRPCException with code None and .http_status set.
"""
import base64
import decimal
import http.client
import itertools
import json
import urllib.parse

USER_AGENT = "ODAAuthServiceProxy/0.1"


class JSONRPCException(Exception):
    def __init__(self, rpc_error, http_status=None):
        try:
            errmsg = f"{rpc_error['message']} ({rpc_error['code']})"
        except (KeyError, TypeError):
            errmsg = str(rpc_error)
        super().__init__(errmsg)
        self.error = rpc_error
        self.http_status = http_status


def _decimals_to_float(obj):
    # Decimal amounts (at most 8 decimals) survive a float's shortest repr unchanged.
    if isinstance(obj, decimal.Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    if isinstance(obj, dict):
        return {k: _decimals_to_float(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_decimals_to_float(v) for v in obj]
    return obj


def _dumps(obj):
    return json.dumps(_decimals_to_float(obj))


class AuthServiceProxy:
    _ids = itertools.count(1)

    def __init__(self, url, service_name=None, timeout=60, logger=None):
        self._url = url
        self._service_name = service_name
        self._timeout = timeout
        self._logger = logger
        parsed = urllib.parse.urlparse(url)
        self._host = parsed.hostname
        self._port = parsed.port or 80
        user = urllib.parse.unquote(parsed.username or "")
        password = urllib.parse.unquote(parsed.password or "")
        self._auth_header = None
        if parsed.username is not None:
            self._auth_header = b"Basic " + base64.b64encode(f"{user}:{password}".encode())
        self._path = parsed.path or "/"
        self._conn = None

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        new_name = f"{self._service_name}.{name}" if self._service_name else name
        return AuthServiceProxy.__new_child(self, new_name)

    @staticmethod
    def __new_child(parent, name):
        child = AuthServiceProxy.__new__(AuthServiceProxy)
        child.__dict__.update(parent.__dict__)
        child._service_name = name
        return child

    def _connection(self):
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _request_raw(self, body, headers=None):
        """POST body (bytes) and return (status, response headers, response bytes)."""
        hdrs = {"Host": self._host, "User-Agent": USER_AGENT, "Content-type": "application/json"}
        if self._auth_header:
            hdrs["Authorization"] = self._auth_header
        hdrs.update(headers or {})
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request("POST", self._path, body, hdrs)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, resp, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.CannotSendRequest, http.client.BadStatusLine):
                # The server closed a kept-alive connection: retry once on a fresh one.
                self.close()
                if attempt:
                    raise

    def _call(self, payload):
        body = _dumps(payload).encode()
        if self._logger:
            self._logger.debug("-%s-> %s", self._port, body.decode()[:1000])
        status, resp, data = self._request_raw(body)
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        content_type = resp.getheader("Content-Type", "")
        if "json" not in content_type:
            raise JSONRPCException({"code": None, "message": f"HTTP {status}: {data[:200]!r}"},
                                   http_status=status)
        try:
            response = json.loads(data.decode(), parse_float=decimal.Decimal)
        except ValueError:
            raise JSONRPCException({"code": None, "message": f"bad JSON in HTTP {status} reply"},
                                   http_status=status)
        if self._logger:
            self._logger.debug("<-%s- %s", self._port, data.decode()[:1000])
        return status, response

    def __call__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("use either positional or named arguments, not both")
        payload = {"version": "1.1", "method": self._service_name,
                   "params": kwargs if kwargs else list(args), "id": next(AuthServiceProxy._ids)}
        status, response = self._call(payload)
        if isinstance(response, dict) and response.get("error") is not None:
            raise JSONRPCException(response["error"], http_status=status)
        if not isinstance(response, dict) or "result" not in response:
            raise JSONRPCException({"code": -343, "message": "missing JSON-RPC result"}, http_status=status)
        return response["result"]

    def batch(self, requests):
        """Send a list of {"method", "params", "id"} objects; returns the list of replies."""
        status, response = self._call(list(requests))
        return response
