package io.migaudit.record;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An agent's record key: the secret with which the agent signs every value it writes to {@code
 * migaudit.flows} (flow records and heartbeats), HMAC-SHA256 over the value's bytes in the Kafka
 * header {@link #HEADER}, and with which an analyzer that holds the key checks them. The value
 * names its agent, so a record signed with one agent's key cannot pass as another's. A key file
 * holds the secret in base64 on one line ({@code openssl rand -base64 32 > esx-01.key}), at least
 * {@link #MIN_BYTES} bytes, readable by its owner only. Thread-safe.
 */
public final class RecordKey {
  /** The Kafka header that carries a value's HMAC-SHA256. */
  public static final String HEADER = "migaudit-hmac";

  /** The producer setting through which the agent's serializers receive the key. */
  public static final String PRODUCER_CONFIG = "migaudit.record.key";

  /** The shortest secret taken: HMAC-SHA256's own output length (RFC 2104 section 3). */
  public static final int MIN_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";
  private static final Set<PosixFilePermission> OTHERS_OR_GROUP =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private final SecretKeySpec secret;
  private final ThreadLocal<Mac> macs;

  /** A key of {@code secret}'s bytes (at least {@link #MIN_BYTES}). */
  public RecordKey(byte[] secret) {
    if (secret.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          "a record key needs at least " + MIN_BYTES + " bytes, not " + secret.length);
    }
    this.secret = new SecretKeySpec(secret.clone(), ALGORITHM);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** A key of {@link #MIN_BYTES} random bytes, for a run that signs and checks itself. */
  public static RecordKey random() {
    byte[] secret = new byte[MIN_BYTES];
    new SecureRandom().nextBytes(secret);
    return new RecordKey(secret);
  }

  /** A key file's key; the message of the exception is one line naming the file. */
  public static RecordKey read(Path file) throws IOException {
    String text;
    try {
      if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(OTHERS_OR_GROUP::contains)) {
          throw new IOException(
              file + ": a record key must be readable by its owner only (chmod 600 " + file + ")");
        }
      }
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such file", e);
    }
    byte[] secret;
    try {
      secret = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": not a base64 record key (openssl rand -base64 32)", e);
    }
    if (secret.length < MIN_BYTES) {
      throw new IOException(
          file
              + ": a record key needs at least "
              + MIN_BYTES
              + " bytes, it holds "
              + secret.length);
    }
    return new RecordKey(secret);
  }

  /** The HMAC-SHA256 of {@code value}. */
  public byte[] sign(byte[] value) {
    return macs.get().doFinal(value);
  }

  /** True when {@code mac} is {@code value}'s HMAC under this key (compared in constant time). */
  public boolean verifies(byte[] value, byte[] mac) {
    return mac != null && MessageDigest.isEqual(sign(value), mac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(secret);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no " + ALGORITHM + " in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "RecordKey[hidden]";
  }
}
