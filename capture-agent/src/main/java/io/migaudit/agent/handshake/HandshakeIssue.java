package io.migaudit.agent.handshake;

/** Why a handshake decoder stopped; {@link #NEED_MORE} is not a fault, only a short stream. */
public enum HandshakeIssue {
  /** The bytes so far end inside a record or message: feed more. */
  NEED_MORE,
  /** The stream does not start like this protocol at all. */
  NOT_THIS_PROTOCOL,
  TLS_BAD_RECORD_VERSION,
  TLS_RECORD_TOO_LONG,
  TLS_MESSAGE_TOO_LONG,
  TLS_UNEXPECTED_MESSAGE,
  /** A length inside a message claims more than the message holds. */
  TLS_BAD_LENGTH,
  TLS_BAD_CERTIFICATE,
  SSH_BANNER_TOO_LONG,
  SSH_BAD_PACKET_LENGTH,
  SSH_NOT_KEXINIT,
  SSH_BAD_NAME_LIST,
  ESP_TOO_SHORT,
  IKE_NOT_V2,
  IKE_BAD_LENGTH,
  IKE_NOT_SA_INIT
}
