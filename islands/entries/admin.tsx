/** Browser entry of /admin: hydrates the console's tab from the server's props. */
import { hydrate } from "preact";
import { AdminApp, type AdminProps } from "../admin/AdminApp.tsx";
import { readProps } from "../props.ts";

hydrate(<AdminApp {...readProps<AdminProps>("parley-props")} />, document.getElementById("admin-island")!);
