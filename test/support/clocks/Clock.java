// Java under time.skew: prints `sleep EPOCH_MS` after each Thread.sleep, `timer EPOCH_MS` from a scheduled
// executor, and answers GET / with its clock on 127.0.0.1:PORT (args[0]). Ends after 120 s.
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

public class Clock {
  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 0);
    server.createContext("/", exchange -> {
      byte[] body = Long.toString(System.currentTimeMillis()).getBytes();
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    System.out.println("listening");
    Executors.newSingleThreadScheduledExecutor()
        .scheduleAtFixedRate(() -> System.out.println("timer " + System.currentTimeMillis()), 100, 100, TimeUnit.MILLISECONDS);
    for (int i = 0; i < 1200; i++) {
      Thread.sleep(100);
      System.out.println("sleep " + System.currentTimeMillis());
    }
    System.exit(0);
  }
}
