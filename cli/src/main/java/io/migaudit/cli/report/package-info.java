/** {@code migaudit report}: compliance evidence per control from alerts, events and heartbeats. */
package io.migaudit.cli.report;
