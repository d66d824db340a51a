"""Independent re-implementation of knative.dev/networking ingress.ComputeHash, for tests.

Reads JSON lines {"spec": ..., "namespace": ..., "name": ..., "defaults": bool} on stdin and prints
one lowercase hex SHA-256 per line. Struct field order and omitempty follow the Go types in
pkg/apis/networking/v1alpha1/ingress_types.go; Go's HTML-safe string escaping is applied on top of
Python's compact json.dumps.
"""
import copy
import hashlib
import json
import sys


def defaults(spec):
    spec = copy.deepcopy(spec)
    for rule in spec.get("rules") or []:
        if not rule.get("visibility"):
            rule["visibility"] = "ExternalIP"
        for path in (rule.get("http") or {}).get("paths") or []:
            splits = path.get("splits") or []
            if len(splits) == 1 and not splits[0].get("percent"):
                splits[0]["percent"] = 100
    return spec


def put(out, key, value, omitempty=True):
    if omitempty and (value is None or value == "" or value == 0 or value == [] or value == {}):
        return
    out[key] = value


def sorted_map(m):
    return {k: m[k] for k in sorted(m)} if m else m


def enc_split(s):
    out = {}
    put(out, "serviceNamespace", s.get("serviceNamespace") or "", omitempty=False)
    put(out, "serviceName", s.get("serviceName") or "", omitempty=False)
    put(out, "servicePort", s.get("servicePort", 0) if s.get("servicePort") is not None else 0, omitempty=False)
    put(out, "percent", s.get("percent"))
    put(out, "appendHeaders", sorted_map(s.get("appendHeaders")))
    return out


def enc_path(p):
    out = {}
    put(out, "path", p.get("path"))
    put(out, "rewriteHost", p.get("rewriteHost"))
    headers = p.get("headers")
    if headers:
        put(out, "headers", {k: {"exact": (headers[k] or {}).get("exact", "")} for k in sorted(headers)})
    splits = p.get("splits")
    put(out, "splits", None if splits is None else [enc_split(s) for s in splits], omitempty=False)
    put(out, "appendHeaders", sorted_map(p.get("appendHeaders")))
    return out


def enc_rule(r):
    out = {}
    put(out, "hosts", r.get("hosts"))
    put(out, "visibility", r.get("visibility"))
    if r.get("http") is not None:
        paths = r["http"].get("paths")
        out["http"] = {"paths": None if paths is None else [enc_path(p) for p in paths]}
    return out


def enc_tls(t):
    out = {}
    put(out, "hosts", t.get("hosts"))
    put(out, "secretName", t.get("secretName"))
    put(out, "secretNamespace", t.get("secretNamespace"))
    return out


def enc_spec(spec):
    out = {}
    put(out, "tls", [enc_tls(t) for t in spec.get("tls") or []])
    put(out, "rules", [enc_rule(r) for r in spec.get("rules") or []])
    put(out, "httpOption", spec.get("httpOption"))
    text = json.dumps(out, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


for line in sys.stdin:
    if not line.strip():
        continue
    req = json.loads(line)
    spec = defaults(req["spec"]) if req.get("defaults") else req["spec"]
    data = enc_spec(spec) + req["namespace"] + req["name"]
    print(hashlib.sha256(data.encode("utf-8")).hexdigest())
