/**
 * The migaudit launcher: {@link io.migaudit.cli.MigauditCommand} and its error handling. Each
 * command lives in a package of its own ({@code agent}, {@code analyzer}, {@code replay}, {@code
 * report}, {@code policy}, {@code classify}, {@code bench}) and only parses options and wires the
 * services of capture-agent and analyzer together; {@code common} holds what they share.
 */
package io.migaudit.cli;
