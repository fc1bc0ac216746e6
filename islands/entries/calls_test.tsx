/** Browser entry of /calls/test: hydrates the calls self-test. */
import { hydrate } from "preact";
import { SelfTest } from "../calls/SelfTest.tsx";

hydrate(<SelfTest />, document.getElementById("calls-test-island")!);
