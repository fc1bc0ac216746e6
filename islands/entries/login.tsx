/** Browser entry of /login: hydrates the sign-in form. */
import { hydrate } from "preact";
import { LoginForm, type LoginProps } from "../LoginForm.tsx";
import { readProps } from "../props.ts";

const props = readProps<LoginProps>("parley-props");
hydrate(<LoginForm {...props} />, document.getElementById("login-island")!);
