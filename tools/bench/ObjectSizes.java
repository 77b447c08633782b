import org.openjdk.jol.info.ClassLayout;

/**
 * Prints the instance size of the agent's per-flow objects (JOL), the figures BENCHMARKS.md quotes
 * for heap per flow: run by tools/bench/object-sizes.sh.
 */
public class ObjectSizes {
  public static void main(String[] args) throws Exception {
    for (String name :
        new String[] {
          "io.migaudit.agent.flow.FlowEntry",
          "io.migaudit.agent.flow.TcpStream",
          "io.migaudit.agent.classify.PayloadSample",
          "io.migaudit.agent.classify.BehindBytes"
        }) {
      System.out.println(name + " " + ClassLayout.parseClass(Class.forName(name)).instanceSize());
    }
  }
}
