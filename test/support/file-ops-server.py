"""A process whose file calls tests observe: GET /OP?path=FILE runs one operation (open, read, write, fsync,
stat, or stat-command: stat(1) run as a child) on FILE and answers JSON with what the process saw: the errno, the time taken, the bytes read, the
attributes stat reported. Listens on 127.0.0.1:PORT (argv[1]); exits after 120 s at most."""
import base64, http.server, json, os, subprocess, sys, threading, time, urllib.parse


def run(op, path):
    started = time.monotonic()
    seen = {}
    try:
        if op == 'open':
            os.close(os.open(path, os.O_RDONLY))
        elif op == 'read':
            fd = os.open(path, os.O_RDONLY)
            try:
                seen['data'] = base64.b64encode(os.read(fd, 1 << 20)).decode()
            finally:
                os.close(fd)
        elif op == 'write':
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, b'x')
            finally:
                os.close(fd)
        elif op == 'fsync':
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        elif op == 'stat':
            st = os.stat(path)
            seen.update(size=st.st_size, mode=st.st_mode & 0o7777, mtime=int(st.st_mtime), uid=st.st_uid, nlink=st.st_nlink)
        elif op == 'stat-command':  # coreutils stat(1) (statx), a child that inherits faultline wrap's library
            size, mode = subprocess.run(['stat', '-c', '%s %a', path], capture_output=True, text=True, check=True).stdout.split()
            seen.update(size=int(size), mode=int(mode, 8))
        seen['errno'] = 0
    except OSError as error:
        seen['errno'] = error.errno
    seen['ms'] = (time.monotonic() - started) * 1000
    return seen


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        body = json.dumps(run(url.path.strip('/'), urllib.parse.parse_qs(url.query)['path'][0])).encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


threading.Timer(120, lambda: os._exit(0)).start()
server = http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler)
print('listening', flush=True)
server.serve_forever()
