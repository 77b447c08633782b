/**
 * The analyzer's processing on Kafka Streams: one processor judges each flow record with the rules
 * and groups migrations, its state (alerts raised, open events, judgements waiting for evidence) in
 * changelogged stores bounded by time, its outputs and input offsets committed together
 * (exactly_once_v2).
 */
package io.migaudit.analyzer.stream;
