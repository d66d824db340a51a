// The parts of Envoy's v3 resources the route evaluator (envoy-route-eval.ts) reads, in their
// decoded form (snake_case, enums as names).

export type Obj = Record<string, unknown>;

/** One level's response header edits; `set` (the CORS filter's headers) overwrite. */
export interface ResponseEdits {
  readonly add?: readonly HeaderValueOption[];
  readonly remove?: readonly string[];
}

export interface Duration {
  seconds?: number | string;
  nanos?: number;
}

export interface RegexRewrite {
  pattern: { regex: string };
  substitution: string;
}

export interface QueryParameterMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean;
}

export type PerFilterConfig = Record<string, Obj>;

export interface StringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: { regex: string };
  ignore_case?: boolean;
}

export interface HeaderMatcher {
  name: string;
  exact_match?: string;
  prefix_match?: string;
  suffix_match?: string;
  contains_match?: string;
  safe_regex_match?: { regex: string };
  present_match?: boolean;
  string_match?: StringMatcher;
  invert_match?: boolean;
  treat_missing_header_as_empty?: boolean;
}

export interface HeaderValueOption {
  header: { key: string; value?: string };
  append?: { value?: boolean } | boolean;
  append_action?: 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';
  keep_empty_value?: boolean;
}

export interface HeaderEdits {
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
}

export interface ClusterWeight extends HeaderEdits {
  name: string;
  weight?: { value?: number } | number;
  host_rewrite_literal?: string;
  typed_per_filter_config?: PerFilterConfig;
}

export interface RouteAction {
  cluster?: string;
  weighted_clusters?: { clusters: ClusterWeight[]; total_weight?: { value?: number } };
  cluster_not_found_response_code?: 'SERVICE_UNAVAILABLE' | 'NOT_FOUND' | 'INTERNAL_SERVER_ERROR';
  host_rewrite_literal?: string;
  /** the Host becomes the chosen upstream host's hostname (when it has one) */
  auto_host_rewrite?: { value?: boolean };
  prefix_rewrite?: string;
  regex_rewrite?: RegexRewrite;
  timeout?: Duration;
  retry_policy?: { retry_on?: string; num_retries?: { value?: number }; retriable_status_codes?: number[]; per_try_timeout?: Duration };
  request_mirror_policies?: Array<{ cluster: string; runtime_fraction?: { default_value?: { numerator?: number; denominator?: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION' } } }>;
}

export interface RouteEntry extends HeaderEdits {
  name?: string;
  match: {
    prefix?: string;
    path?: string;
    safe_regex?: { regex: string };
    path_separated_prefix?: string;
    case_sensitive?: { value?: boolean };
    headers?: HeaderMatcher[];
    query_parameters?: QueryParameterMatcher[];
  };
  route?: RouteAction;
  redirect?: { https_redirect?: boolean; scheme_redirect?: string; host_redirect?: string; port_redirect?: number; path_redirect?: string; prefix_rewrite?: string; regex_rewrite?: RegexRewrite; strip_query?: boolean; response_code?: string };
  direct_response?: { status: number; body?: { inline_string?: string } };
  typed_per_filter_config?: PerFilterConfig;
}

export interface VirtualHostConfig extends HeaderEdits {
  name: string;
  domains: string[];
  routes?: RouteEntry[];
  typed_per_filter_config?: PerFilterConfig;
}

export interface RouteConfiguration extends HeaderEdits {
  name: string;
  virtual_hosts?: VirtualHostConfig[];
  most_specific_header_mutations_wins?: boolean;
  ignore_port_in_host_matching?: boolean;
}

