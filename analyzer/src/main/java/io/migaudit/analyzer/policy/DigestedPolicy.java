package io.migaudit.analyzer.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A policy with the SHA-256 of the file text it was read from: two reads of the same text give the
 * same digest, so a reload tells an edit from a touch or an unrelated event.
 *
 * @param policy the checked policy
 * @param sha256 lowercase hex SHA-256 of the file's text (UTF-8)
 */
public record DigestedPolicy(Policy policy, String sha256) {

  /** The first 12 hex digits, enough to tell versions apart in a log line. */
  public String shortDigest() {
    return sha256.substring(0, 12);
  }

  static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
