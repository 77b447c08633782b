package io.migaudit.cli.common;

import io.migaudit.agent.source.CaptureBackend;
import picocli.CommandLine;

/**
 * Lowercase backend names on the command line ({@code --capture-backend}), with the choices in the
 * error.
 */
public final class CaptureBackendConverter implements CommandLine.ITypeConverter<CaptureBackend> {
  @Override
  public CaptureBackend convert(String value) {
    try {
      return CaptureBackend.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
