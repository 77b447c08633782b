package io.migaudit.cli.common;

import io.migaudit.analyzer.alert.AlertFormat;
import picocli.CommandLine;

/** {@code --alerts-format migaudit|ocsf}, any case; a bad value is a one-line user error. */
public final class AlertFormatConverter implements CommandLine.ITypeConverter<AlertFormat> {
  public static final String DESCRIPTION =
      "Format of the --alerts file: migaudit (the alert contract, default) or"
          + " ocsf (one OCSF 1.3.0 Detection Finding per alert, finding_info.uid = alertId, for SIEMs).";

  @Override
  public AlertFormat convert(String value) {
    try {
      return AlertFormat.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not migaudit or ocsf");
    }
  }
}
