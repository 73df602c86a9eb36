import time
from flask import Flask
app = Flask(__name__)

@app.get('/health')
def health():
    return 'ok'

@app.get('/slow')
def slow():
    time.sleep(0.02)
    return {'ok': True}

@app.get('/mixed')
def mixed():
    time.sleep(0.01)
    s = 0
    for i in range(3000):
        s += i * i
    return {'s': s}
