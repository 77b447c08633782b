/**
 * The capture agent as a library: capture sources through decoders and flow tables to a record
 * sink.
 */
package io.migaudit.agent;
