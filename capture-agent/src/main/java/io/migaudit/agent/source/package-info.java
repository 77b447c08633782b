/**
 * Source stage: frames from capture files (pcap, pcapng, gzip) or live interfaces, one reused
 * packet at a time.
 */
package io.migaudit.agent.source;
