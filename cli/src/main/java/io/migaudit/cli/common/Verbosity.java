package io.migaudit.cli.common;

/**
 * A command's (or mixin's) {@code --verbose}: the error handler prints stack traces when the
 * command that ran says so.
 */
public interface Verbosity {
  boolean verbose();
}
