/**
 * The benchmark harnesses: {@code migaudit bench}, {@code bench-capture}, {@code bench-analyzer}
 * and {@code bench-alert-delay}.
 */
package io.migaudit.cli.bench;
