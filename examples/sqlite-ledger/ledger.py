"""A small database-like service for the io.error example: SQLite behind an HTTP API (Python 3 standard library).

  POST /entries       -> 201 {"id": N}, once the entry is committed (SQLite fsyncs its files on commit);
                         503 {"error": "storage unavailable: ..."} when the commit fails (EIO on fsync, ENOSPC...)
  GET  /entries/count -> 200 {"count": N}
  GET  /health        -> 200

Usage: python3 ledger.py   (env LEDGER_PORT, default 17300; LEDGER_DIR, where ledger.db and ledger.pid go)
Run it under `faultline wrap -- python3 ledger.py` so that the io.* faults can reach its file calls.
It never restarts itself: recovering after the fault is the database's own doing (SQLite rolls the failed
transaction back and the next commit works). Ends after LEDGER_LIFETIME seconds (default 3600).
"""
import http.server, json, os, sqlite3, threading

PORT = int(os.environ.get('LEDGER_PORT', '17300'))
DIR = os.environ.get('LEDGER_DIR', '.')
os.makedirs(DIR, exist_ok=True)
lock = threading.Lock()
db = sqlite3.connect(os.path.join(DIR, 'ledger.db'), check_same_thread=False, isolation_level=None)
db.execute('PRAGMA synchronous=FULL')
db.execute('CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')


class Ledger(http.server.BaseHTTPRequestHandler):
    def answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        if self.path != '/entries':
            return self.answer(404, {'error': 'not found'})
        length = int(self.headers.get('Content-Length') or 0)
        text = self.rfile.read(length).decode() or '{}'
        with lock:
            try:
                db.execute('BEGIN IMMEDIATE')
                cursor = db.execute('INSERT INTO entries (body) VALUES (?)', (text,))
                db.execute('COMMIT')
                return self.answer(201, {'id': cursor.lastrowid})
            except sqlite3.Error as error:
                try:
                    db.execute('ROLLBACK')
                except sqlite3.Error:
                    pass
                return self.answer(503, {'error': f'storage unavailable: {error}'})

    def do_GET(self):
        if self.path == '/health':
            return self.answer(200, {'ok': True})
        if self.path == '/entries/count':
            with lock:
                return self.answer(200, {'count': db.execute('SELECT COUNT(*) FROM entries').fetchone()[0]})
        return self.answer(404, {'error': 'not found'})

    def log_message(self, *args):
        pass


threading.Timer(float(os.environ.get('LEDGER_LIFETIME', '3600')), lambda: os._exit(0)).start()
server = http.server.ThreadingHTTPServer(('127.0.0.1', PORT), Ledger)
with open(os.path.join(DIR, 'ledger.pid'), 'w') as pid_file:
    pid_file.write(str(os.getpid()))
print(f'ledger listening on 127.0.0.1:{PORT}', flush=True)
server.serve_forever()
