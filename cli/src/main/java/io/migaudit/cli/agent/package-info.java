/** {@code migaudit agent}: options, settings file and wiring of the capture agent service. */
package io.migaudit.cli.agent;
