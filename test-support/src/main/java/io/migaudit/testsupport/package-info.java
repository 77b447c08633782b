/**
 * What the modules' tests share (test scope only): the {@code CI=true} gate, deadline polling,
 * child processes, the metric wait, a killable child-JVM Kafka broker and topic checks.
 */
package io.migaudit.testsupport;
