package io.migaudit.agent.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * How the capture workers' sockets form one fanout group, against a stand-in for the kernel's
 * {@code PACKET_FANOUT} as net/packet/af_packet.c has it. {@code FanoutGroupIT} does the same on
 * the real kernel, but can only get the id the kernel hands out next.
 */
class FanoutGroupTest {
  private static final int EINVAL = 22;

  /**
   * Unique ids come from one counter that starts at 0 after boot and skips ids in use; a member of
   * a hash-mode group reads back {@code id | mode << 16 | flags << 24}, the unique-id flag dropped:
   * the hash mode is 0, so a member of group 0 reads 0, as a socket in no group does.
   */
  private static class Kernel implements FanoutGroup.Sockets {
    final Map<Integer, Integer> groupOf = new HashMap<>();
    final TreeSet<Integer> groups = new TreeSet<>();
    private int nextUnique;

    Kernel(int nextUnique) {
      this.nextUnique = nextUnique;
    }

    @Override
    public void setFanout(int fd, int value) {
      int id = value & 0xFFFF;
      int modeAndFlags = value >>> 16;
      if ((modeAndFlags & Libpcap.PACKET_FANOUT_FLAG_UNIQUEID) != 0) {
        if (id != 0) {
          throw new LastErrorException(EINVAL);
        }
        while (groups.contains(nextUnique)) {
          nextUnique = (nextUnique + 1) & 0xFFFF;
        }
        id = nextUnique;
        nextUnique = (id + 1) & 0xFFFF;
      }
      groupOf.put(fd, id);
      groups.add(id);
    }

    @Override
    public int fanout(int fd) {
      Integer id = groupOf.get(fd);
      return id == null ? 0 : id | (Libpcap.PACKET_FANOUT_HASH << 16);
    }
  }

  @Test
  void everyMemberJoinsGroupZeroTheFirstIdTheKernelHandsOutAfterBoot() throws IOException {
    Kernel kernel = new Kernel(0);
    FanoutGroup group = new FanoutGroup(kernel);
    for (int fd = 10; fd < 13; fd++) {
      group.joinSocket(fd, "eth0");
    }
    assertThat(kernel.groupOf).containsOnly(entry(10, 0), entry(11, 0), entry(12, 0));
    assertThat(kernel.groups).containsExactly(0);
    assertThat(group.id()).isZero();
  }

  @Test
  void everyMemberJoinsTheIdTheKernelGaveTheFirst() throws IOException {
    Kernel kernel = new Kernel(41);
    kernel.setFanout(3, (Libpcap.PACKET_FANOUT_FLAG_UNIQUEID) << 16); // another agent's: 41
    FanoutGroup group = new FanoutGroup(kernel);
    group.joinSocket(10, "eth0");
    group.joinSocket(11, "eth0");
    assertThat(kernel.groupOf).containsOnly(entry(3, 41), entry(10, 42), entry(11, 42));
    assertThat(group.id()).isEqualTo(42);
  }

  @Test
  void aMemberTheKernelDoesNotPutInTheGroupIsRefused() throws IOException {
    Kernel kernel =
        new Kernel(7) {
          @Override
          public int fanout(int fd) {
            return fd == 11 ? 8 : super.fanout(fd);
          }
        };
    FanoutGroup group = new FanoutGroup(kernel);
    group.joinSocket(10, "eth0");
    assertThatThrownBy(() -> group.joinSocket(11, "eth0"))
        .isInstanceOf(IOException.class)
        .hasMessage("eth0: the capture socket is not in fanout group 7 (it says 8)");
  }

  @Test
  void aKernelThatRefusesSaysItsErrno() {
    FanoutGroup group =
        new FanoutGroup(
            new Kernel(0) {
              @Override
              public void setFanout(int fd, int value) {
                throw new LastErrorException(EINVAL);
              }
            });
    assertThatThrownBy(() -> group.joinSocket(10, "eth0"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("eth0: cannot join an AF_PACKET fanout group (errno 22;");
  }
}
