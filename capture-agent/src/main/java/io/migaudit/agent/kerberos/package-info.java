/**
 * Kerberos stage of the agent: reads the clear-text service principal names of TGS requests on
 * TCP/UDP 88 (never tickets or other bytes), so the analyzer can tell Kerberos-authenticated
 * Hyper-V migrations from CredSSP ones.
 */
package io.migaudit.agent.kerberos;
