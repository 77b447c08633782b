package io.migaudit.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away PKI made with the JDK's {@code keytool}: a self-signed CA, a server key and
 * certificate for {@code localhost} and 127.0.0.1 signed by it (in a PKCS#12 keystore), a client
 * key and certificate signed by it (for mutual TLS), and a truststore holding only the CA, for
 * clients and for a broker checking client certificates.
 */
record TestCertificates(
    Path serverKeystore, Path clientKeystore, Path truststore, String password) {
  private static final String PASSWORD_VARIABLE = "MIGAUDIT_TEST_STORE_PASSWORD";

  static TestCertificates create(Path dir) throws IOException, InterruptedException {
    String password = "changeit-" + Long.toHexString(System.nanoTime());
    Path ca = dir.resolve("ca.p12");
    Path server = dir.resolve("server.p12");
    Path trust = dir.resolve("truststore.p12");
    Path caPem = dir.resolve("ca.pem");
    Path request = dir.resolve("server.csr");
    Path serverPem = dir.resolve("server.pem");
    keytool(
        password,
        "-genkeypair",
        "-keystore",
        ca,
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=migaudit test CA",
        "-ext",
        "bc:c",
        "-validity",
        "2");
    keytool(password, "-exportcert", "-rfc", "-keystore", ca, "-alias", "ca", "-file", caPem);
    keytool(
        password,
        "-genkeypair",
        "-keystore",
        server,
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-validity",
        "2");
    keytool(password, "-certreq", "-keystore", server, "-alias", "server", "-file", request);
    keytool(
        password,
        "-gencert",
        "-keystore",
        ca,
        "-alias",
        "ca",
        "-infile",
        request,
        "-outfile",
        serverPem,
        "-rfc",
        "-ext",
        "san=dns:localhost,ip:127.0.0.1",
        "-ext",
        "eku=serverAuth",
        "-validity",
        "2");
    keytool(
        password, "-importcert", "-noprompt", "-keystore", server, "-alias", "ca", "-file", caPem);
    keytool(password, "-importcert", "-keystore", server, "-alias", "server", "-file", serverPem);
    keytool(
        password, "-importcert", "-noprompt", "-keystore", trust, "-alias", "ca", "-file", caPem);
    Path client = dir.resolve("client.p12");
    Path clientRequest = dir.resolve("client.csr");
    Path clientPem = dir.resolve("client.pem");
    keytool(
        password,
        "-genkeypair",
        "-keystore",
        client,
        "-alias",
        "client",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=migaudit-agent",
        "-validity",
        "2");
    keytool(password, "-certreq", "-keystore", client, "-alias", "client", "-file", clientRequest);
    keytool(
        password,
        "-gencert",
        "-keystore",
        ca,
        "-alias",
        "ca",
        "-infile",
        clientRequest,
        "-outfile",
        clientPem,
        "-rfc",
        "-ext",
        "eku=clientAuth",
        "-validity",
        "2");
    keytool(
        password, "-importcert", "-noprompt", "-keystore", client, "-alias", "ca", "-file", caPem);
    keytool(password, "-importcert", "-keystore", client, "-alias", "client", "-file", clientPem);
    return new TestCertificates(server, client, trust, password);
  }

  private static void keytool(String password, Object... args)
      throws IOException, InterruptedException {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    List<String> command = new ArrayList<>(List.of(java.resolveSibling("keytool").toString()));
    for (Object a : args) {
      command.add(a.toString());
    }
    command.addAll(
        List.of(
            "-storetype",
            "PKCS12",
            "-storepass:env",
            PASSWORD_VARIABLE,
            "-keypass:env",
            PASSWORD_VARIABLE));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put(PASSWORD_VARIABLE, password); // not on keytool's command line
    Process p = builder.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output);
    }
  }
}
