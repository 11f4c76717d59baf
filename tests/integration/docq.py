"""Reads one field of a JSON document in a file, for the shell integration cases.

usage: docq.py FILE PATH [INDEX]
  FILE   JSON documents, one per line or pretty-printed and concatenated
  PATH   dot-separated keys and array indexes (`result.stoppedTasks.0.stopCode`);
         `[key=value]` picks the first array element whose key is value
         (`deployments.[status=PRIMARY].rolloutState`); `#` as a part gives a length;
         `#docs` alone the number of documents; `.` the whole document
  INDEX  which document (default 0; negative counts from the end)
Strings print raw, anything else as compact JSON. Exit 1 when the field is absent.
"""
import json
import re
import sys


def documents(text):
    decoder = json.JSONDecoder()
    docs, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        value, i = decoder.raw_decode(text, i)
        docs.append(value)


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as f:
        docs = documents(f.read())
    path = argv[2]
    if path == "#docs":
        print(len(docs))
        return 0
    try:
        value = docs[int(argv[3]) if len(argv) == 4 else 0]
    except IndexError:
        return 1
    if path != ".":
        for part in re.findall(r"\[[^\]]*\]|[^.]+", path):
            if part.startswith("[") and isinstance(value, list):
                key, _, want = part[1:-1].partition("=")
                hits = [v for v in value if isinstance(v, dict) and str(v.get(key)) == want]
                if not hits:
                    return 1
                value = hits[0]
            elif part == "#" and isinstance(value, (list, dict, str)):
                value = len(value)
            elif isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.lstrip("-").isdigit() and -len(value) <= int(part) < len(value):
                value = value[int(part)]
            else:
                return 1
    print(value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
