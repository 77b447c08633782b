/** {@code migaudit analyzer}: options, settings file and wiring of the analyzer service. */
package io.migaudit.cli.analyzer;
