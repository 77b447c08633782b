/** Tests of the release: what CI installs, the packages, the launcher and the systemd units. */
package io.migaudit.distribution;
