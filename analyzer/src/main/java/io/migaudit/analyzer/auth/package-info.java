/**
 * Authentication stage of the analyzer: correlates the Kerberos service-ticket requests the agents
 * saw with Hyper-V migrations, to tell Kerberos-authenticated migrations from CredSSP ones.
 */
package io.migaudit.analyzer.auth;
