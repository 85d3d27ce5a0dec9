# Python 3 under time.skew: prints `sleep EPOCH_MS` after each time.sleep(0.1), `timer EPOCH_MS` from a
# threading.Timer chain, and answers GET / with its clock on 127.0.0.1:PORT (argv[1]). Ends after 120 s.
import http.server, sys, threading, time


class Clock(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = str(int(time.time() * 1000)).encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def timer():
    print('timer', int(time.time() * 1000), flush=True)
    threading.Timer(0.1, timer).start()


server = http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Clock)
threading.Thread(target=server.serve_forever, daemon=True).start()
threading.Timer(0.1, timer).start()
print('listening', flush=True)
for _ in range(1200):
    time.sleep(0.1)
    print('sleep', int(time.time() * 1000), flush=True)
import os
os._exit(0)
