// A Java client for captures/clients/record.sh: GET URL through
// HttpsURLConnection ("urlconnection") or java.net.http.HttpClient
// ("httpclient"); key and trust stores from the javax.net.ssl.* properties.
// Prints "STATUS n" or "ERROR text"; exit 0/1.
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;

public class Client {
    public static void main(String[] args) {
        try {
            if (args[0].equals("urlconnection")) {
                HttpsURLConnection c = (HttpsURLConnection) new URL(args[1]).openConnection();
                c.setConnectTimeout(5000);
                c.setReadTimeout(8000);
                int status = c.getResponseCode();
                byte[] body = c.getInputStream().readAllBytes();
                System.out.println("STATUS " + status);
                System.out.println("BODY " + new String(body).trim());
            } else {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
                HttpRequest request = HttpRequest.newBuilder(URI.create(args[1])).timeout(Duration.ofSeconds(8)).build();
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                System.out.println("STATUS " + response.statusCode());
                System.out.println("BODY " + response.body().trim());
            }
            System.exit(0);
        } catch (Exception e) {
            System.out.println("ERROR " + e);
            System.exit(1);
        }
    }
}
