def make(n):
    return {"args": [n], "kwargs": {}}
