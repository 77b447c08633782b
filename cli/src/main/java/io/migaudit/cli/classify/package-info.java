/** {@code migaudit classify-report}: the classifier's accuracy on the samples. */
package io.migaudit.cli.classify;
