import type { Component } from 'svelte'
import Bell from '@lucide/svelte/icons/bell'
import CalendarRange from '@lucide/svelte/icons/calendar-range'
import House from '@lucide/svelte/icons/house'
import Inbox from '@lucide/svelte/icons/inbox'
import MessageCircle from '@lucide/svelte/icons/message-circle'
import Network from '@lucide/svelte/icons/network'
import Package from '@lucide/svelte/icons/package'
import Percent from '@lucide/svelte/icons/percent'
import Rss from '@lucide/svelte/icons/rss'
import Shield from '@lucide/svelte/icons/shield'
import ShoppingBag from '@lucide/svelte/icons/shopping-bag'
import Store from '@lucide/svelte/icons/store'
import UserCog from '@lucide/svelte/icons/user-cog'
import Users from '@lucide/svelte/icons/users'
import Wallet from '@lucide/svelte/icons/wallet'
import type { Me } from '@vernetzt/shared/schemas/auth'
import type { MessageKey } from '$lib/i18n'

export type Icon = Component<{ size?: number; 'aria-hidden'?: boolean; class?: string }>

/** One place to go. `count` names the badge it carries; `tab` puts it in the phone's tab bar. */
export interface NavItem {
  href: string
  label: MessageKey
  icon: Icon
  testid: string
  count?: 'chats' | 'notifications'
  tab?: boolean
  /** A shorter label where the tab bar has little room. */
  short?: MessageKey
}

/**
 * Where a member can go, by role: customers shop and talk to their partner (no team, no
 * earnings, no recruiting); partners build a team; staff see the administration below.
 * The phone's tab bar holds the five marked `tab`, the avatar menu the rest.
 */
export function navFor(user: Me): { main: NavItem[]; admin: NavItem[] } {
  const partner = user.role !== 'customer'
  const main: NavItem[] = [
    { href: '/home', label: 'nav.home', icon: House, testid: 'nav-home', tab: true },
    { href: '/feed', label: 'nav.feed', icon: Rss, testid: 'nav-feed', tab: true },
    { href: '/messages', label: 'nav.messages', icon: MessageCircle, testid: 'nav-messages', count: 'chats', tab: true, short: 'shell.tab.messages' },
    { href: '/groups', label: 'nav.groups', icon: Users, testid: 'nav-groups', tab: true },
    { href: '/notifications', label: 'nav.notifications', icon: Bell, testid: 'nav-notifications', count: 'notifications' },
    ...(partner ? [{ href: '/me/team', label: 'nav.team', icon: Network, testid: 'nav-team', tab: true } as const] : []),
    ...(partner ? [{ href: '/me/earnings', label: 'shell.earnings', icon: Wallet, testid: 'nav-earnings' } as const] : []),
    { href: '/marketplace', label: 'nav.marketplace', icon: Store, testid: 'nav-marketplace' },
    { href: '/shop', label: 'shell.shop', icon: ShoppingBag, testid: 'nav-shop', ...(partner ? {} : { tab: true }) },
  ]
  const staff = user.role === 'admin' || user.moderator
  const admin: NavItem[] = [
    ...(staff ? [{ href: '/moderation', label: 'nav.moderation', icon: Shield, testid: 'nav-moderation' } as const] : []),
    ...(staff ? [{ href: '/admin/inbox', label: 'admin.nav.inbox', icon: Inbox, testid: 'nav-inbox' } as const] : []),
    ...(user.role === 'admin'
      ? ([
          { href: '/admin/members', label: 'admin.nav.members', icon: UserCog, testid: 'nav-members' },
          { href: '/admin/products', label: 'shop.nav.products', icon: Package, testid: 'nav-products' },
          { href: '/admin/plan', label: 'plan.nav', icon: Percent, testid: 'nav-plan' },
          { href: '/admin/periods', label: 'periods.nav', icon: CalendarRange, testid: 'nav-periods' },
        ] as const)
      : []),
  ]
  return { main, admin }
}

/** Whether `path` is inside the item's area (for aria-current). */
export function isCurrent(item: NavItem, path: string): boolean {
  return path === item.href || path.startsWith(`${item.href}/`)
}
