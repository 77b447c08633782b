/** {@code migaudit policy}: commands about the policy file. */
package io.migaudit.cli.policy;
