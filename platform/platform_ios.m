// UIKit glue for platform_ios.go. UIKit must be used on the main thread; Go
// calls in from its own threads, so everything here hops to the main queue,
// and the share sheet reports back through chorusShareFinished.

#import <UIKit/UIKit.h>

extern void chorusShareFinished(long long id, int result);

// Results as platform_ios.go numbers them.
enum { chorusShared = 0, chorusCancelled = 1, chorusFailed = 2, chorusMissing = 3 };

static void onMain(dispatch_block_t block) {
	if ([NSThread isMainThread]) {
		block();
	} else {
		dispatch_sync(dispatch_get_main_queue(), block);
	}
}

static UIViewController *topController(void) {
	UIWindow *window = nil;
	for (UIScene *scene in UIApplication.sharedApplication.connectedScenes) {
		if (![scene isKindOfClass:[UIWindowScene class]]) {
			continue;
		}
		for (UIWindow *w in ((UIWindowScene *)scene).windows) {
			if (w.isKeyWindow) {
				window = w;
			}
		}
	}
	if (window == nil) {
		window = UIApplication.sharedApplication.windows.firstObject;
	}
	UIViewController *vc = window.rootViewController;
	while (vc.presentedViewController != nil) {
		vc = vc.presentedViewController;
	}
	return vc;
}

// chorus_open_wechat opens weixin:// and reports whether anything took it.
// canOpenURL would need "weixin" under LSApplicationQueriesSchemes, which
// fyne package's Info.plist cannot carry; openURL's answer needs nothing.
void chorus_open_wechat(long long id) {
	dispatch_async(dispatch_get_main_queue(), ^{
		[UIApplication.sharedApplication openURL:[NSURL URLWithString:@"weixin://"]
		                                 options:@{}
		                       completionHandler:^(BOOL success) {
			chorusShareFinished(id, success ? chorusShared : chorusMissing);
		}];
	});
}

void chorus_set_pasteboard(const char *text) {
	NSString *s = [NSString stringWithUTF8String:text];
	onMain(^{
		UIPasteboard.generalPasteboard.string = s;
	});
}

// chorus_share presents the system share sheet with the file (or the text
// when path is empty); WeChat appears there as a share extension.
void chorus_share(long long id, const char *text, const char *path) {
	NSString *t = [NSString stringWithUTF8String:text];
	NSString *p = [NSString stringWithUTF8String:path];
	dispatch_async(dispatch_get_main_queue(), ^{
		NSArray *items = p.length > 0 ? @[ [NSURL fileURLWithPath:p] ] : @[ t ];
		UIActivityViewController *vc = [[UIActivityViewController alloc] initWithActivityItems:items applicationActivities:nil];
		vc.completionWithItemsHandler = ^(UIActivityType type, BOOL completed, NSArray *returned, NSError *error) {
			if (error != nil) {
				chorusShareFinished(id, chorusFailed);
			} else {
				chorusShareFinished(id, completed ? chorusShared : chorusCancelled);
			}
		};
		UIViewController *top = topController();
		if (top == nil) {
			chorusShareFinished(id, chorusFailed);
			return;
		}
		// iPad shows the sheet as a popover, which needs an anchor.
		UIPopoverPresentationController *pop = vc.popoverPresentationController;
		if (pop != nil) {
			pop.sourceView = top.view;
			pop.sourceRect = CGRectMake(CGRectGetMidX(top.view.bounds), CGRectGetMidY(top.view.bounds), 1, 1);
			pop.permittedArrowDirections = 0;
		}
		[top presentViewController:vc animated:YES completion:nil];
	});
}
