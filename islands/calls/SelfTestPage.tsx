/** The /calls/test page body (server render and hydration root). */
import { SelfTest } from "./SelfTest.tsx";

export function callsTestView() {
  return (
    <div id="calls-test-island" class="min-h-full bg-main text-fg">
      <SelfTest />
    </div>
  );
}
