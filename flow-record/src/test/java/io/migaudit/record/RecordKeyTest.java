package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordKeyTest {
  @TempDir Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** RFC 4231 test case 2 has a 4-byte key, under our minimum; case 6's is 131 bytes of 0xaa. */
  @Test
  void signsAsRfc4231Says() {
    byte[] key = new byte[131];
    Arrays.fill(key, (byte) 0xaa);
    byte[] mac =
        new RecordKey(key).sign(bytes("Test Using Larger Than Block-Size Key - Hash Key First"));
    assertThat(HexFormat.of().formatHex(mac))
        .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  }

  @Test
  void aChangedValueOrAnotherKeyDoesNotVerify() {
    RecordKey a = new RecordKey(new byte[32]);
    byte[] other = new byte[32];
    other[31] = 1;
    RecordKey b = new RecordKey(other);
    byte[] value = bytes("{\"agent\":\"esx-01\",\"verdict\":\"plaintext\"}");
    byte[] mac = a.sign(value);
    assertThat(a.verifies(value, mac)).isTrue();
    assertThat(a.verifies(bytes("{\"agent\":\"esx-01\",\"verdict\":\"encrypted\"}"), mac))
        .isFalse();
    assertThat(b.verifies(value, mac)).isFalse();
    assertThat(a.verifies(value, null)).isFalse();
    assertThat(a.verifies(value, Arrays.copyOf(mac, 16))).as("a cut MAC").isFalse();
    assertThat(a.toString()).doesNotContain("0");
  }

  @Test
  void shortKeysAreRefused() {
    assertThatThrownBy(() -> new RecordKey(new byte[31]))
        .hasMessage("a record key needs at least 32 bytes, not 31");
  }

  @Test
  void keyFilesAreBase64OwnerOnlyAndLongEnough() throws IOException {
    byte[] secret = new byte[32];
    secret[0] = 7;
    Path good = write("good.key", Base64.getEncoder().encodeToString(secret) + "\n", "rw-------");
    assertThat(RecordKey.read(good).verifies(bytes("x"), new RecordKey(secret).sign(bytes("x"))))
        .isTrue();

    Path shared = write("shared.key", Base64.getEncoder().encodeToString(secret), "rw-r--r--");
    assertThatThrownBy(() -> RecordKey.read(shared))
        .hasMessage(
            shared
                + ": a record key must be readable by its owner only (chmod 600 "
                + shared
                + ")");
    Path text = write("text.key", "not base64 at all!", "rw-------");
    assertThatThrownBy(() -> RecordKey.read(text))
        .hasMessage(text + ": not a base64 record key (openssl rand -base64 32)");
    Path shortKey =
        write("short.key", Base64.getEncoder().encodeToString(new byte[16]), "rw-------");
    assertThatThrownBy(() -> RecordKey.read(shortKey))
        .hasMessage(shortKey + ": a record key needs at least 32 bytes, it holds 16");
    assertThatThrownBy(() -> RecordKey.read(dir.resolve("missing.key")))
        .hasMessage(dir.resolve("missing.key") + ": no such file");
  }

  private Path write(String name, String text, String perms) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
    return f;
  }
}
