/**
 * {@code policy suggest}: the migration flows seen in captures (any port, by catalog port or
 * signature) turned into a commented first policy, each entry with the evidence that supports it.
 */
package io.migaudit.analyzer.suggest;
